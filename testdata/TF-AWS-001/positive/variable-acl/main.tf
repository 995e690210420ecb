locals {
  name = "example-${var.env}-reports"
}

variable "env" {
  default = "prod"
}

resource "aws_s3_bucket" "reports" {
  bucket = local.name
}

resource "aws_s3_bucket_acl" "reports" {
  bucket = local.name
  acl    = var.bucket_acl
}
