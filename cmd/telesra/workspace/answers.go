package workspace

import (
	"errors"
	"io/fs"
	"os"

	"github.com/telesra/telesra/questionnaire"
)

// LoadAnswers reads DIR/answers.yaml; a workspace without one has no answers yet.
func (l Layout) LoadAnswers(b *questionnaire.Bank) (*questionnaire.Answers, error) {
	// A directory without assessment.yaml is not a workspace: its missing answers file is a
	// mistyped -w, not an empty questionnaire.
	if _, err := os.Stat(l.AssessmentPath()); errors.Is(err, fs.ErrNotExist) {
		return nil, inputErrorf("%s: no assessment workspace here (create one with: telesra init %s)", l.AssessmentPath(), l.Dir)
	}
	return questionnaire.LoadAnswers(Files{Kind: AnswersInput}, l.AnswersPath(), b)
}

// SaveAnswers replaces DIR/answers.yaml, keeping the previous file as answers.yaml.bak; it
// refuses to drop an answer the file holds or to overwrite a file that does not validate.
func (l Layout) SaveAnswers(b *questionnaire.Bank, a *questionnaire.Answers) error {
	return questionnaire.SaveAnswers(Files{Kind: AnswersInput}, l.AnswersPath(), l.AnswersPath()+BackupSuffix, b, a)
}

// OpenAnswers starts a questionnaire session on DIR/answers.yaml: the store saves after every
// answer, under the workspace lock, merging what other sessions saved meanwhile.
func (l Layout) OpenAnswers(b *questionnaire.Bank) (*AnswersStore, *questionnaire.Answers, error) {
	fs, a, err := questionnaire.OpenStore(Files{Kind: AnswersInput}, l.AnswersPath(), l.AnswersPath()+BackupSuffix, b)
	if err != nil {
		return nil, nil, err
	}
	return &AnswersStore{FileStore: fs, layout: l}, a, nil
}

// ReadAnswersFile reads an answers file outside the workspace (an export handed back).
func ReadAnswersFile(path string, b *questionnaire.Bank) (*questionnaire.Answers, error) {
	return questionnaire.ReadAnswersFile(Files{Kind: AnswersFileInput}, path, b)
}
