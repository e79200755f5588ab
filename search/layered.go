package search

// layered is a string-keyed map that a derived lexicon (lexicon.derive)
// shares with the one it derives from, so that a change applied on its
// own does not copy maps of the whole vocabulary (100,000 words at
// 10,000 guides). A lexicon built from scratch writes its base; once
// derived, the base is shared and never written again: the derived
// lexicon's sets and deletes go to its own top layer, which each
// derivation copies (it holds only what the changes since the base
// added or removed) and which is folded into a fresh base once it
// outgrows a share of it.
type layered[V any] struct {
	base map[string]V
	// top holds the keys set or deleted over base (ok false: deleted);
	// nil in a lexicon built from scratch.
	top map[string]layerValue[V]
	// derived sends the writes to top.
	derived bool
}

type layerValue[V any] struct {
	v  V
	ok bool
}

func newLayered[V any]() layered[V] {
	return layered[V]{base: map[string]V{}}
}

// get returns the value of k.
func (m *layered[V]) get(k string) (V, bool) {
	if m.top != nil {
		if x, found := m.top[k]; found {
			return x.v, x.ok
		}
	}
	v, ok := m.base[k]
	return v, ok
}

func (m *layered[V]) set(k string, v V) {
	if !m.derived {
		m.base[k] = v
		return
	}
	if m.top == nil {
		m.top = map[string]layerValue[V]{}
	}
	m.top[k] = layerValue[V]{v: v, ok: true}
}

func (m *layered[V]) del(k string) {
	if !m.derived {
		delete(m.base, k)
		return
	}
	if m.top == nil {
		m.top = map[string]layerValue[V]{}
	}
	m.top[k] = layerValue[V]{}
}

// foldShare is the size of the top layer, as a share of the base's
// (1/foldShare), past which a derivation folds it into a fresh base: a
// lookup then rarely tries two maps, and a derivation's copy of the top
// stays small, for one full copy every len(base)/foldShare keys changed.
const foldShare = 8

// derive returns the map for a lexicon derived from m's: m's base
// shared, its top copied (or both folded into a fresh base when the top
// has grown past its share). m is not written afterwards.
func (m *layered[V]) derive() layered[V] {
	if len(m.top)*foldShare <= len(m.base) {
		top := make(map[string]layerValue[V], len(m.top)+4)
		for k, x := range m.top {
			top[k] = x
		}
		return layered[V]{base: m.base, top: top, derived: true}
	}
	base := make(map[string]V, len(m.base)+len(m.top))
	for k, v := range m.base {
		base[k] = v
	}
	for k, x := range m.top {
		if x.ok {
			base[k] = x.v
		} else {
			delete(base, k)
		}
	}
	return layered[V]{base: base, derived: true}
}
