package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key the questionnaire answers to. Letters double the arrows so that the
// questionnaire can be finished on any keyboard, and every screen lists its keys at the bottom.
type keyMap struct {
	Up, Down, Choose, Number  key.Binding
	Prev, Next, NextOpen      key.Binding
	Notes, Evidence, Flag     key.Binding
	HelpPanel, ScrollUp       key.Binding
	ScrollDown, Overview      key.Binding
	Questions, Review, Back   key.Binding
	Continue, AllKeys, Quit   key.Binding
	Return, Waiting           key.Binding
	Save, Cancel, ForceQuit   key.Binding
	EditorSave, EditorNewline key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:            key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:          key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose:        key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "answer")),
		Number:        key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "answer")),
		Prev:          key.NewBinding(key.WithKeys("left", "b", "shift+tab"), key.WithHelp("←/b", "previous")),
		Next:          key.NewBinding(key.WithKeys("right", "tab"), key.WithHelp("→", "next")),
		NextOpen:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "next unanswered")),
		Notes:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "notes")),
		Evidence:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "evidence")),
		Flag:          key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flag")),
		Waiting:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "waiting for IT/vendor")),
		HelpPanel:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "help")),
		ScrollUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		ScrollDown:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),
		Overview:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "overview")),
		Return:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
		Questions:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "questions")),
		Review:        key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "review")),
		Back:          key.NewBinding(key.WithKeys("esc", "left", "o"), key.WithHelp("esc", "back")),
		Continue:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "continue where you left off")),
		AllKeys:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Quit:          key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		EditorSave:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		EditorNewline: key.NewBinding(key.WithKeys("ctrl+j", "alt+enter"), key.WithHelp("ctrl+j", "new line")),
		Cancel:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
