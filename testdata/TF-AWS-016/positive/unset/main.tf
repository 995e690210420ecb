resource "aws_kms_key" "data" {
  description             = "application data"
  deletion_window_in_days = 30
}
