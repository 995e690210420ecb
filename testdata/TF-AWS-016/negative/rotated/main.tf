resource "aws_kms_key" "data" {
  description         = "application data"
  enable_key_rotation = true
}
