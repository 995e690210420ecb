-- Drives the rampart language server from headless Neovim (0.7+, built-in client):
-- open a manifest, wait for diagnostics, request code actions, apply the fix, wait for the
-- diagnostic to go away, and write what happened as JSON to $RESULT_FILE.
local bin = os.getenv("RAMPART_BIN")
local file = os.getenv("TARGET_FILE")
local result_file = os.getenv("RESULT_FILE")
local result = { steps = {} }

local function finish(err)
  result.error = err
  local f = io.open(result_file, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end

local raw = {}
vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "rampart",
  cmd = { bin, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
      if params.uri == vim.uri_from_bufnr(bufnr) then
        raw = params.diagnostics
      end
      vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
    end,
  },
})
if not client_id then
  return finish("the client did not start")
end
vim.lsp.buf_attach_client(bufnr, client_id)

local function has(code)
  for _, d in ipairs(raw) do
    if d.code == code then
      return d
    end
  end
  return nil
end

if not vim.wait(15000, function() return has("K8S-001") ~= nil end, 20) then
  return finish("no K8S-001 diagnostic")
end
local d = has("K8S-001")
table.insert(result.steps, "diagnostic")
result.diagnostic = { code = d.code, range = d.range, message = d.message, source = d.source }
local shown = vim.diagnostic.get(bufnr)
for _, s in ipairs(shown) do
  if s.message == d.message then
    result.shown = { lnum = s.lnum, col = s.col, end_lnum = s.end_lnum, end_col = s.end_col }
  end
end

local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  range = d.range,
  context = { diagnostics = { d } },
}, 10000)
local fix
result.actions = {}
for _, response in pairs(responses or {}) do
  for _, action in ipairs(response.result or {}) do
    table.insert(result.actions, action.title)
    if action.title:find("privileged: false", 1, true) then
      fix = action
    end
  end
end
if not fix then
  return finish("no fix offered")
end
vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
table.insert(result.steps, "applied")

if not vim.wait(15000, function() return has("K8S-001") == nil end, 20) then
  return finish("the diagnostic stayed after the fix")
end
table.insert(result.steps, "cleared")
result.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
finish(vim.NIL)
