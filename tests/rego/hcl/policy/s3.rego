package main

import rego.v1

deny contains msg if {
	some name
	b := input.resource.aws_s3_bucket[name][_]
	b.acl == "public-read"
	msg := {"msg": sprintf("aws_s3_bucket.%s is public-read", [name]), "path": ["resource", "aws_s3_bucket", name, 0, "acl"]}
}
