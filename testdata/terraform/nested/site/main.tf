variable "acl" {
  default = "private"
}

module "bucket" {
  source = "../bucket"

  bucket_acl = var.acl
}
