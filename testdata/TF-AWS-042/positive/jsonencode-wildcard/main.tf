resource "aws_iam_role_policy" "ops" {
  name = "ops"
  role = "ops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ec2:Describe*", "ec2:Stop*", "ec2:TerminateInstances"]
      Resource = "*"
    }]
  })
}
