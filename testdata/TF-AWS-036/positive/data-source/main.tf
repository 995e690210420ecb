data "aws_iam_policy" "admin" {
  name = "AdministratorAccess"
}

resource "aws_iam_role" "app" {
  name                = "app"
  assume_role_policy  = data.aws_iam_policy_document.assume.json
  managed_policy_arns = [data.aws_iam_policy.admin.arn]
}
