package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/telesra/telesra/questionnaire"
	"github.com/telesra/telesra/report/register"
)

// AssetEdit changes a workspace's asset inventory; an error is a refusal (bad input).
type AssetEdit func(a *register.Assets, ephiSystems []string) error

// EditAssets applies an edit to DIR/assets.yaml under the workspace lock, starting a new
// inventory when there is none. The previous file is kept as assets.yaml.bak, as `risks set`
// keeps remediation.yaml's. A refused edit, or one whose result would not read back, leaves the
// file as it was.
func EditAssets(dir string, edit AssetEdit) (*register.Assets, error) {
	a, _, err := editAssets(dir, false, func(_ *Workspace, a *register.Assets, systems []string) (bool, error) {
		if err := edit(a, systems); err != nil {
			return false, &InputError{Err: fmt.Errorf("%s: %w", a.File, err)}
		}
		return true, nil
	})
	return a, err
}

// SeedAssets adds to DIR/assets.yaml one asset for each asset the questionnaire's answers imply
// and the inventory lacks (templates/risk/asset-seeds.yaml), each marked seeded_from until a
// person confirms it. It never renames or overwrites an asset, writes nothing when there is
// nothing to add or when dryRun, and needs answers.yaml (bad input without it).
func SeedAssets(dir string, dryRun bool) (register.Seeded, *register.Assets, error) {
	var out register.Seeded
	a, _, err := editAssets(dir, dryRun, func(ws *Workspace, a *register.Assets, systems []string) (bool, error) {
		if _, err := os.Stat(ws.AnswersPath()); errors.Is(err, fs.ErrNotExist) {
			return false, inputErrorf("%s: no answers yet, so nothing to seed the inventory from (answer the questionnaire first: telesra assess -w %s)",
				ws.AnswersPath(), ws.Dir)
		}
		ans, err := ws.LoadAnswers(questionnaire.DefaultBank())
		if err != nil {
			return false, err
		}
		if out, err = a.Seed(register.DefaultAssetSeeds(), ans, systems); err != nil {
			return false, &InputError{Err: fmt.Errorf("%s: %w", a.File, err)}
		}
		return len(out.Added) > 0, nil
	})
	return out, a, err
}

// editAssets loads the workspace and its inventory under the lock, applies an edit, and writes
// the result (keeping a .bak) when the edit changed something and this is not a dry run.
func editAssets(dir string, dryRun bool, edit func(*Workspace, *register.Assets, []string) (bool, error)) (*register.Assets, bool, error) {
	l := At(dir)
	lock, err := l.Lock()
	if err != nil {
		return nil, false, err
	}
	defer lock.Unlock()
	ws, err := Load(dir)
	if err != nil {
		return nil, false, err
	}
	systems := ws.Assessment.Organisation.EPHISystems
	a, err := loadAssets(l, systems)
	if err != nil {
		return nil, false, err
	}
	if a == nil {
		a = register.NewAssets(l.AssetsPath())
	}
	changed, err := edit(ws, a, systems)
	if err != nil || !changed || dryRun {
		return a, false, err
	}
	data, err := a.Marshal()
	if err != nil {
		return nil, false, err
	}
	if _, err := register.ParseAssets(a.File, data, systems); err != nil {
		return nil, false, fmt.Errorf("internal error: the new asset inventory does not validate: %w", err)
	}
	if err := backupAndWrite(a.File, AssetsInput, data); err != nil {
		return nil, false, err
	}
	return a, true, nil
}

// loadAssets reads DIR/assets.yaml, or returns nil without one.
func loadAssets(l Layout, systems []string) (*register.Assets, error) {
	data, err := readOptional(l.AssetsPath(), AssetsInput)
	if err != nil {
		return nil, fmt.Errorf("read assets: %w", err)
	}
	if data == nil {
		return nil, nil
	}
	return register.ParseAssets(l.AssetsPath(), data, systems)
}
