data "aws_iam_policy_document" "uploader" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["*"]
  }
}
