package alert

// The tests load IANA zones; embed the database so they pass on machines
// without one.
import _ "time/tzdata"
