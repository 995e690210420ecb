resource "aws_s3_bucket" "data" {
  bucket = "example-data"

  logging {
    target_bucket = "example-logs"
  }
}
