module "db" {
  source = "../db"

  public   = true
  open_ssh = true
}

module "db_private" {
  source = "../db"
}

module "network" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}

module "not_downloaded" {
  source = "git::https://example.com/modules/cache.git?ref=v1"
}
