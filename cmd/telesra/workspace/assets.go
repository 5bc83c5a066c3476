package workspace

import (
	"fmt"

	"github.com/telesra/telesra/report/register"
)

// AssetEdit changes a workspace's asset inventory; an error is a refusal (bad input).
type AssetEdit func(a *register.Assets, ephiSystems []string) error

// EditAssets applies an edit to DIR/assets.yaml under the workspace lock, starting a new
// inventory when there is none. The previous file is kept as assets.yaml.bak, as `risks set`
// keeps remediation.yaml's. A refused edit, or one whose result would not read back, leaves the
// file as it was.
func EditAssets(dir string, edit AssetEdit) (*register.Assets, error) {
	l := At(dir)
	lock, err := l.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	ws, err := Load(dir)
	if err != nil {
		return nil, err
	}
	systems := ws.Assessment.Organisation.EPHISystems
	a, err := loadAssets(l, systems)
	if err != nil {
		return nil, err
	}
	if a == nil {
		a = register.NewAssets(l.AssetsPath())
	}
	if err := edit(a, systems); err != nil {
		return nil, &InputError{Err: fmt.Errorf("%s: %w", l.AssetsPath(), err)}
	}
	data, err := a.Marshal()
	if err != nil {
		return nil, err
	}
	if _, err := register.ParseAssets(a.File, data, systems); err != nil {
		return nil, fmt.Errorf("internal error: the new asset inventory does not validate: %w", err)
	}
	if err := backupAndWrite(a.File, AssetsInput, data); err != nil {
		return nil, err
	}
	return a, nil
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
