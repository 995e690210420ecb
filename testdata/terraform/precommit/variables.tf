variable "acl" {
  default = "public-read-write"
}

resource "aws_s3_bucket" "other" {
  acl = "public-read"
}
