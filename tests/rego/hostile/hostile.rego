package main

import rego.v1

deny contains msg if {
	n := count([x | some x in numbers.range(1, 100000000)])
	n > 0
	msg := "huge"
}
