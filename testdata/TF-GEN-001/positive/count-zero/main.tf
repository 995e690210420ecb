variable "create_cluster" {
  type    = bool
  default = false
}

# Nothing is created by default, but `terraform init` fetches the branch all the same.
module "infra" {
  source = "github.com/example-org/common-infra//infrastructure?ref=main"
  count  = var.create_cluster ? 1 : 0
}
