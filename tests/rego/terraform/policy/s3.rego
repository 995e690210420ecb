package main

import rego.v1

deny contains msg if {
	input.type == "aws_s3_bucket"
	input.attributes.acl in {"public-read", "public-read-write"}
	msg := {"msg": sprintf("%s has a public ACL %q", [input.address, input.attributes.acl]), "field": "attributes.acl"}
}
