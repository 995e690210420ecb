data "aws_iam_policy_document" "internal" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::internal-artifacts/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-0123456789abcdef0"]
    }
  }
}

resource "aws_s3_bucket_policy" "internal" {
  bucket = "internal-artifacts"
  policy = data.aws_iam_policy_document.internal.json
}
