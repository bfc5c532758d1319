package normalize

import (
	"github.com/valyala/fastjson"
)

// bagNames are the O365 Management Activity API name/value property bags
// that FoldBags turns into objects.
var bagNames = []string{"ExtendedProperties", "ModifiedProperties", "Parameters", "DeviceProperties", "OperationProperties"}

// FoldBags returns a copy of the UAL record obj (its top level only; nested
// values are shared) in which each property bag, an array of
// {"Name": …, "Value": …} (or {"Name", "NewValue", "OldValue"}) objects, is
// replaced by an object keyed by Name:
//
//	"ExtendedProperties": [{"Name":"UserAgent","Value":"x"}]
//	  → "ExtendedProperties": {"UserAgent":"x"}
//	"ModifiedProperties": [{"Name":"X","NewValue":"a","OldValue":"b"}]
//	  → "ModifiedProperties": {"X":{"NewValue":"a","OldValue":"b"}}
//
// A repeated Name keeps its first value. Elements without a Name are
// dropped from the folded object; a bag that is not an array is kept as is.
func (n *Normalizer) FoldBags(obj *fastjson.Value) *fastjson.Value {
	out := n.Arena.NewObject()
	o, err := obj.Object()
	if err != nil {
		return obj
	}
	o.Visit(func(k []byte, v *fastjson.Value) {
		key := string(k)
		if v.Type() == fastjson.TypeArray && isBag(key) {
			v = n.foldBag(v)
		}
		if out.Get(key) == nil {
			out.Set(key, v)
		}
	})
	return out
}

func isBag(key string) bool {
	for _, b := range bagNames {
		if b == key {
			return true
		}
	}
	return false
}

func (n *Normalizer) foldBag(arr *fastjson.Value) *fastjson.Value {
	out := n.Arena.NewObject()
	items, _ := arr.Array()
	for _, it := range items {
		name := it.Get("Name")
		if name == nil || name.Type() != fastjson.TypeString {
			continue
		}
		key := string(name.GetStringBytes())
		if out.Get(key) != nil {
			continue
		}
		if val := it.Get("Value"); val != nil {
			out.Set(key, val)
			continue
		}
		nv, ov := it.Get("NewValue"), it.Get("OldValue")
		if nv == nil && ov == nil {
			continue
		}
		pair := n.Arena.NewObject()
		if nv != nil {
			pair.Set("NewValue", nv)
		}
		if ov != nil {
			pair.Set("OldValue", ov)
		}
		out.Set(key, pair)
	}
	return out
}
