resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = "example-data"

  versioning_configuration {
    status = "Enabled"
  }
}
