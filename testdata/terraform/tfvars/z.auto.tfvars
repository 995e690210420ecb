# *.auto.tfvars are read after terraform.tfvars, in lexical order
unrelated = "x"
