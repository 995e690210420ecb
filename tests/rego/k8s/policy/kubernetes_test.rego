package main

import rego.v1

test_privileged_denied if {
	count(deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "securityContext": {"privileged": true}}]}}}}
}

test_unprivileged_allowed if {
	count(deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}
}

test_that_fails if {
	count(deny) == 5 with input as {"kind": "Pod"}
}
