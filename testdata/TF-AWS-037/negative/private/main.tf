resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = ["subnet-0123", "subnet-4567"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
