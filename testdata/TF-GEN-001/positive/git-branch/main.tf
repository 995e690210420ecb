module "network" {
  source = "git::https://github.com/example-org/terraform-network.git?ref=main"
}

module "dns" {
  source = "github.com/example-org/terraform-dns"
}
