package cli

import (
	"fmt"
	"strings"
)

// This file builds option tables from a compact notation, so that the
// many commands added beside the core ones read as one line each:
//
//	name        required positional string (VSH_OT_DATA)
//	[name]      optional positional string
//	name=N      required number; --name=N an optional one
//	--name=S    optional string (also positional, as in virsh)
//	--name      flag
//	name...     required trailing words; [name...] optional ones
//	--a->b      --a is another spelling of --b ("b=v" for a value)
//
// A trailing '~' on a string option accepts an empty value; a leading
// '!' on an option that takes a value makes it named-only
// (VSH_OFLAG_REQ_OPT). Help texts come from optHelps, or the command's own
// map, which wins.

// spec returns the options described by s, with help texts from own and
// then optHelps.
func spec(s string, own map[string]string) []optDef {
	var out []optDef
	for _, w := range strings.Fields(s) {
		var o optDef
		if strings.HasPrefix(w, "!") {
			o.named = true
			w = w[1:]
		}
		if strings.HasSuffix(w, "~") {
			o.emptyOK = true
			w = w[:len(w)-1]
		}
		switch {
		case strings.Contains(w, "->"):
			name, target, _ := strings.Cut(strings.TrimPrefix(w, "--"), "->")
			o.name, o.kind, o.alias = name, optAlias, target
		case strings.HasPrefix(w, "--"):
			name, val, hasVal := strings.Cut(w[2:], "=")
			o.name = name
			switch {
			case !hasVal:
				o.kind = optBool
			case val == "N":
				o.kind = optInt
			default:
				o.kind = optString
			}
		case strings.HasPrefix(w, "[") && strings.HasSuffix(w, "...]"):
			o.name, o.kind = w[1:len(w)-4], optArgv
		case strings.HasSuffix(w, "..."):
			o.name, o.kind, o.req = w[:len(w)-3], optArgv, true
		case strings.HasPrefix(w, "["):
			o.name, o.kind = strings.Trim(w, "[]"), optData
		case strings.HasSuffix(w, "=N"):
			o.name, o.kind, o.req = w[:len(w)-2], optInt, true
		default:
			o.name, o.kind, o.req = w, optData, true
		}
		if o.kind != optAlias {
			o.help = own[o.name]
			if o.help == "" {
				o.help = optHelps[o.name]
			}
			if o.help == "" {
				panic(fmt.Sprintf("cli: no help text for option --%s", o.name))
			}
		}
		out = append(out, o)
	}
	return out
}
