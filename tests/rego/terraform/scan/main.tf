variable "acl" {
  default = "public-read"
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  acl    = var.acl
}

resource "aws_s3_bucket" "private" {
  bucket = "private"
  acl    = "private"
}
