resource "aws_iam_user_policy" "bob" {
  name = "bob"
  user = "bob"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }]
  })
}
