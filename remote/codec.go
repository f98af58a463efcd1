package remote

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sync"

	"github.com/airssys/rt/actor"
)

// Codec turns messages into bytes and back. Append appends msg's encoding,
// which must name its type, to b; Decode returns the message. Both are
// called concurrently, from any goroutine, and must not keep b or data.
type Codec interface {
	Append(b []byte, msg any) ([]byte, error)
	Decode(data []byte) (any, error)
}

// Types is the default Codec: a registry of message types by name, which
// needs no code generation. string, []byte, bool, int, int64, uint64 and
// float64 (and nil) are built in and encoded in binary; a registered type
// is encoded as JSON under its name, so its exported fields are what
// travels. Every node must register a type under the same name. Safe for
// concurrent use; register types before they are sent.
type Types struct {
	mu     sync.RWMutex
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}

// NewTypes returns a registry with the built-in types only.
func NewTypes() *Types {
	return &Types{byName: make(map[string]reflect.Type), byType: make(map[reflect.Type]string)}
}

// Register registers the type of sample under name. A type holding an
// actor.PID or actor.Ref is refused with ErrPIDInMessage; a name or type
// registered twice with another partner is refused too.
func (t *Types) Register(name string, sample any) error {
	if name == "" || len(name) > 200 || sample == nil {
		return fmt.Errorf("%w: Register needs a name of 1 to 200 bytes and a non-nil sample", ErrBadConfig)
	}
	typ := reflect.TypeOf(sample)
	if holdsPID(typ, map[reflect.Type]bool{}) {
		return fmt.Errorf("%w: %v", ErrPIDInMessage, typ)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.byName[name]; ok && old != typ {
		return fmt.Errorf("%w: name %q is taken by %v", ErrBadConfig, name, old)
	}
	if old, ok := t.byType[typ]; ok && old != name {
		return fmt.Errorf("%w: %v is registered as %q", ErrBadConfig, typ, old)
	}
	t.byName[name], t.byType[typ] = typ, name
	return nil
}

var (
	pidType = reflect.TypeFor[actor.PID]()
	refType = reflect.TypeFor[actor.Ref]()
)

func holdsPID(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == pidType || t == refType {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		return holdsPID(t.Elem(), seen)
	case reflect.Map:
		return holdsPID(t.Key(), seen) || holdsPID(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsPID(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// Built-in type tags; a registered type is tagged tJSON and named.
const (
	tNil byte = iota
	tString
	tBytes
	tBool
	tInt
	tInt64
	tUint64
	tFloat64
	tJSON
)

// Append implements Codec.
func (t *Types) Append(b []byte, msg any) ([]byte, error) {
	switch v := msg.(type) {
	case nil:
		return append(b, tNil), nil
	case string:
		return appendString(append(b, tString), v), nil
	case []byte:
		b = binary.AppendUvarint(append(b, tBytes), uint64(len(v)))
		return append(b, v...), nil
	case bool:
		if v {
			return append(b, tBool, 1), nil
		}
		return append(b, tBool, 0), nil
	case int:
		return binary.AppendVarint(append(b, tInt), int64(v)), nil
	case int64:
		return binary.AppendVarint(append(b, tInt64), v), nil
	case uint64:
		return binary.AppendUvarint(append(b, tUint64), v), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tFloat64), math.Float64bits(v)), nil
	}
	typ := reflect.TypeOf(msg)
	t.mu.RLock()
	name, ok := t.byType[typ]
	t.mu.RUnlock()
	if !ok {
		return b, fmt.Errorf("%w: %v", ErrUnregisteredType, typ)
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return b, fmt.Errorf("remote: encoding %v: %w", typ, err)
	}
	b = appendString(append(b, tJSON), name)
	return append(b, data...), nil
}

// Decode implements Codec.
func (t *Types) Decode(data []byte) (any, error) {
	r := reader{b: data}
	tag := r.byte()
	var v any
	switch tag {
	case tNil:
		return nil, nil
	case tString:
		v = r.string()
	case tBytes:
		v = append([]byte(nil), r.bytes()...)
	case tBool:
		v = r.byte() == 1
	case tInt, tInt64:
		x, n := binary.Varint(r.b)
		if n <= 0 {
			r.fail()
		}
		if tag == tInt {
			v = int(x)
		} else {
			v = x
		}
	case tUint64:
		v = r.uvarint()
	case tFloat64:
		if len(r.b) < 8 {
			r.fail()
			break
		}
		v = math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	case tJSON:
		name := r.string()
		t.mu.RLock()
		typ, ok := t.byName[name]
		t.mu.RUnlock()
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnregisteredType, name)
		}
		ptr := reflect.New(typ)
		if err := json.Unmarshal(r.rest(), ptr.Interface()); err != nil {
			return nil, fmt.Errorf("remote: decoding %q: %w", name, err)
		}
		return ptr.Elem().Interface(), nil
	default:
		r.fail()
	}
	if r.bad {
		return nil, fmt.Errorf("remote: malformed message of tag %d", tag)
	}
	return v, nil
}
