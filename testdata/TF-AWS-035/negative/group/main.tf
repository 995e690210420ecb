resource "aws_iam_group_policy_attachment" "deployers" {
  group      = aws_iam_group.deployers.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_policy_attachment" "roles" {
  name       = "roles"
  roles      = [aws_iam_role.app.name]
  policy_arn = aws_iam_policy.deploy.arn
}
