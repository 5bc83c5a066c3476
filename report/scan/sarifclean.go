package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// pruneSARIF re-encodes go-sarif's output without the defaults the library fills in: -1 index
// sentinels (SARIF §3.4, the Multitool's SARIF2004) and empty arrays and objects, which bury
// the few facts a reader needs under hundreds of lines of noise. run.results is kept even when
// empty, because an absent results array means "not computed" where an empty one means "no
// results". Key order is kept as the library wrote it.
func pruneSARIF(w io.Writer, doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return fmt.Errorf("sarif: re-read: %w", err)
	}
	v, _ = prune(v, "")
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("sarif: re-encode: %w", err)
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// object is a JSON object that keeps its keys in document order.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := o.vals[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ']'
			return a, err
		}
	}
	return tok, nil
}

// prune drops default values below v; it reports whether v itself should be dropped.
func prune(v any, key string) (any, bool) {
	switch t := v.(type) {
	case *object:
		kept := t.keys[:0:0]
		for _, k := range t.keys {
			nv, drop := prune(t.vals[k], k)
			if drop {
				delete(t.vals, k)
				continue
			}
			t.vals[k] = nv
			kept = append(kept, k)
		}
		t.keys = kept
		return t, len(kept) == 0
	case []any:
		out := t[:0]
		for _, e := range t {
			if ne, drop := prune(e, ""); !drop {
				out = append(out, ne)
			}
		}
		return out, len(out) == 0 && key != "results"
	case json.Number:
		return t, t.String() == "-1"
	}
	return v, false
}
