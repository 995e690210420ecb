module "site" {
  source = "../site"

  acl = "public-read"
}
