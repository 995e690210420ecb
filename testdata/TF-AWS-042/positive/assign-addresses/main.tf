# Moving addresses between network interfaces of any instance in the account.
resource "aws_iam_policy" "eni" {
  name = "eni-manager"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ec2:DescribeNetworkInterfaces", "ec2:AssignIpv6Addresses", "ec2:UnassignIpv6Addresses"]
      Resource = "*"
    }]
  })
}
