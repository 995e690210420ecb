module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}

module "network" {
  source = "git::https://github.com/example-org/terraform-network.git?ref=v2.4.1"
}

module "dns" {
  source = "git::https://github.com/example-org/terraform-dns.git?ref=3f1c2e9a7b4d5c6e8f9a0b1c2d3e4f5a6b7c8d9e"
}

module "local" {
  source = "./modules/local"
}
