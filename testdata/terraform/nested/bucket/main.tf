variable "bucket_acl" {
  default = "private"
}

resource "aws_s3_bucket" "this" {
  bucket = "example-site"
  acl    = var.bucket_acl
}
