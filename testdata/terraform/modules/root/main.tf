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

# One call per environment: only "demo" passes `public = true`.
module "db_per_env" {
  source   = "../db"
  for_each = { prod = false, demo = true }

  public = each.value
}

# Never instantiated: nothing it would create is reported.
module "db_disabled" {
  source = "../db"
  count  = 0

  public = true
}
