# The ACL is only known at plan time: never guessed.
variable "acl" {
  type = string
}

resource "aws_s3_bucket" "input" {
  bucket = "example-input"
  acl    = var.acl
}
