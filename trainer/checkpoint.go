package trainer

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

const ckptMagic = "PREFERCKPT1\n"

// ckptHeader describes a checkpoint file; the tensors follow it as little-endian float32.
type ckptHeader struct {
	Model     ModelConfig  `json:"model"`
	Tokenizer string       `json:"tokenizer"`
	Step      int          `json:"step"`    // optimizer steps done; 0 for a base
	Epoch     int          `json:"epoch"`   // data position: epoch ...
	Batch     int          `json:"batch"`   // ... and next batch within it
	Base      string       `json:"base"`    // the reference checkpoint of the run
	Tensors   []ckptTensor `json:"tensors"` // in file order
	Config    *Config      `json:"config,omitempty"`
}

type ckptTensor struct {
	Name string `json:"name"`
	Dims []int  `json:"dims"`
}

// writeAtomic writes a file through a temporary file in the same folder and a rename, so
// that a reader never sees half a file.
func writeAtomic(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}

// saveCheckpoint writes h and the named tensors (in h.Tensors order) atomically.
func saveCheckpoint(path string, h ckptHeader, data map[string][]float32) error {
	return writeAtomic(path, func(w io.Writer) error {
		head, err := json.Marshal(h)
		if err != nil {
			return fmt.Errorf("encode checkpoint header: %w", err)
		}
		if _, err := io.WriteString(w, ckptMagic); err != nil {
			return err
		}
		if err := binary.Write(w, binary.LittleEndian, uint32(len(head))); err != nil {
			return err
		}
		if _, err := w.Write(head); err != nil {
			return err
		}
		buf := make([]byte, 0, 1<<16)
		for _, t := range h.Tensors {
			for _, v := range data[t.Name] {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) == cap(buf) {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
		_, err = w.Write(buf)
		return err
	})
}

// loadCheckpoint reads a checkpoint written by saveCheckpoint.
func loadCheckpoint(path string) (ckptHeader, map[string][]float32, error) {
	var h ckptHeader
	f, err := os.Open(path)
	if err != nil {
		return h, nil, fmt.Errorf("open checkpoint: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(ckptMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != ckptMagic {
		return h, nil, fmt.Errorf("%s: not a prefer checkpoint", path)
	}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return h, nil, fmt.Errorf("%s: read header size: %w", path, err)
	}
	head := make([]byte, n)
	if _, err := io.ReadFull(r, head); err != nil {
		return h, nil, fmt.Errorf("%s: read header: %w", path, err)
	}
	if err := json.Unmarshal(head, &h); err != nil {
		return h, nil, fmt.Errorf("%s: decode header: %w", path, err)
	}
	data := map[string][]float32{}
	for _, t := range h.Tensors {
		v := make([]float32, size(t.Dims))
		if err := binary.Read(r, binary.LittleEndian, v); err != nil {
			return h, nil, fmt.Errorf("%s: read tensor %s: %w", path, t.Name, err)
		}
		data[t.Name] = v
	}
	return h, data, nil
}

// splitScopes returns the tensors of one scope ("model", "adam_m", ...) without the prefix.
func splitScope(data map[string][]float32, scope string) map[string][]float32 {
	out := map[string][]float32{}
	for name, v := range data {
		if rest, ok := strings.CutPrefix(name, scope+"/"); ok {
			out[rest] = v
		}
	}
	return out
}

// tensorList names the tensors of the given scopes for a model, in a fixed order.
func tensorList(m ModelConfig, scopes ...string) []ckptTensor {
	var out []ckptTensor
	for _, scope := range scopes {
		for _, s := range paramSpecs(m) {
			out = append(out, ckptTensor{Name: scope + "/" + s.name, Dims: s.dims})
		}
	}
	return out
}

// checkpointDir is where a run keeps its step checkpoints.
func checkpointDir(out string) string { return filepath.Join(out, "checkpoints") }

// BasePath is where a run keeps its reference model.
func BasePath(out string) string { return filepath.Join(out, "base.ckpt") }

func stepCheckpointPath(out string, step int) string {
	return filepath.Join(checkpointDir(out), fmt.Sprintf("step-%08d.ckpt", step))
}

// Checkpoints lists a run's step checkpoints, oldest first.
func Checkpoints(out string) ([]string, error) {
	entries, err := os.ReadDir(checkpointDir(out))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "step-") && strings.HasSuffix(e.Name(), ".ckpt") {
			paths = append(paths, filepath.Join(checkpointDir(out), e.Name()))
		}
	}
	slices.Sort(paths)
	return paths, nil
}

// LatestCheckpoint returns the newest step checkpoint of a run, or "" if none.
func LatestCheckpoint(out string) (string, error) {
	paths, err := Checkpoints(out)
	if err != nil || len(paths) == 0 {
		return "", err
	}
	return paths[len(paths)-1], nil
}

// pruneCheckpoints keeps the newest keep step checkpoints.
func pruneCheckpoints(out string, keep int) error {
	paths, err := Checkpoints(out)
	if err != nil {
		return err
	}
	for len(paths) > keep {
		if err := os.Remove(paths[0]); err != nil {
			return fmt.Errorf("remove old checkpoint: %w", err)
		}
		paths = paths[1:]
	}
	return nil
}

// resolveCheckpoint accepts a checkpoint file or a run folder (its latest checkpoint, else
// its base).
func resolveCheckpoint(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if !st.IsDir() {
		return path, nil
	}
	latest, err := LatestCheckpoint(path)
	if err != nil {
		return "", err
	}
	if latest != "" {
		return latest, nil
	}
	if _, err := os.Stat(BasePath(path)); err == nil {
		return BasePath(path), nil
	}
	return "", fmt.Errorf("%s holds no checkpoint", path)
}
