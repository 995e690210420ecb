package main

deny[msg] {
	input[i].Cmd == "from"
	val := input[i].Value
	endswith(val[0], ":latest")
	msg := {"msg": sprintf("base image %s uses the latest tag", [val[0]]), "path": [i]}
}

deny[msg] {
	not any_user
	msg := "the Dockerfile sets no USER"
}

any_user {
	input[_].Cmd == "user"
}
