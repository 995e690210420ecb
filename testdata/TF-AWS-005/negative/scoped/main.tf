variable "actions" {
  type = list(string)
}

data "aws_iam_policy_document" "deny_all_but" {
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
  }
}

resource "aws_iam_policy" "reader" {
  name = "reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = var.actions
      Resource = "*"
    }]
  })
}

resource "aws_iam_user_policy" "scoped" {
  name   = "scoped"
  user   = "deploy"
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::deploy/*\"}]}"
}
