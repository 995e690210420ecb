# read before z.auto.tfvars.json
public = false
