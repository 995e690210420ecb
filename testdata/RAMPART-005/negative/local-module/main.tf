module "app" {
  source = "./modules/app"
  name   = "app"
}
