data "aws_iam_policy_document" "audit" {
  statement {
    actions   = ["iam:Get*", "iam:List*"]
    resources = ["*"]
  }
}
