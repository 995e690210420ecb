resource "aws_ecr_repository_policy" "app" {
  repository = "app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abcdef1234" } }
    }]
  })
}
