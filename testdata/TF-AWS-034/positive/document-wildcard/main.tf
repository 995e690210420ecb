data "aws_iam_policy_document" "ci" {
  statement {
    actions   = ["iam:Put*", "s3:GetObject"]
    resources = ["*"]
  }
}
