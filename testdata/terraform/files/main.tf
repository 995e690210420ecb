resource "aws_iam_policy" "from_file" {
  name   = "ops"
  policy = file("${path.module}/policies/admin.json")
}

resource "aws_iam_policy" "from_template" {
  name   = "ops-templated"
  policy = templatefile("${path.module}/policies/template.json.tftpl", { action = "*" })
}

resource "aws_iam_policy" "outside_root" {
  name   = "outside"
  policy = file("/etc/hostname")
}
