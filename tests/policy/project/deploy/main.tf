variable "versioning" {
  type = bool
}

resource "aws_s3_bucket" "known" {
  versioning {
    enabled = false
  }
}

resource "aws_s3_bucket" "unknown" {
  versioning {
    enabled = var.versioning
  }
}
