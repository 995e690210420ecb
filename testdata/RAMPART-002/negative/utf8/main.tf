resource "aws_s3_bucket" "b" {
  bucket = "example"
  tags   = { Owner = "Zoë 山田" }
}
