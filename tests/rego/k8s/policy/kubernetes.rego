package main

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	some i
	c := input.spec.template.spec.containers[i]
	c.securityContext.privileged == true
	msg := {
		"msg": sprintf("Deployment %s: container %s is privileged", [input.metadata.name, c.name]),
		"path": ["spec", "template", "spec", "containers", i, "securityContext", "privileged"],
	}
}

warn_labels contains msg if {
	not input.metadata.labels.team
	msg := sprintf("%s %s has no team label", [input.kind, input.metadata.name])
}
