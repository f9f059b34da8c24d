-- pandoc Lua filter that builds a man page from a small wrapper (docs/man/*.md: title,
-- NAME, SYNOPSIS, FILES, SEE ALSO) and the reference pages of docs/, so each fact is
-- written once, in docs/*.md.
--
-- In the wrapper, a div `::: {.include file="../cli.md"}` is replaced by that page:
--   * its level-1 title is dropped, and its headings move up one level (## becomes a
--     man .SH section, ### a .SS subsection); with title="NAME" the title is kept as
--     a section of that name and the headings keep their levels;
--   * level-1 headings (man sections) are upper-cased, as man pages spell them;
--   * links into docs/*.md become the text plus the man page that holds the target,
--     links inside a page become their text;
--   * `\|` in inline code (written so for GitHub's tables) becomes `|`.
-- Then the page is shaped for man(7) readers and for both formatters (groff, mandoc):
--   * tables become tagged paragraphs (.TP): the first cell is the tag, the other cells
--     follow as "HEADING: text" (tables do not fit 80 columns, and pandoc 2.17 emits
--     tbl text blocks that groff cannot fill at that width);
--   * inline code is set in bold and code blocks as no-fill text, because pandoc 2.17
--     writes them in a font `V` it defines with groff's .ftr, which mandoc rejects;
--   * a paragraph right after a heading is written without .PP (mandoc warns about
--     "PP after SH").

local pages = {
  ["cli.md"] = "pixelwarden(8)",
  ["metrics.md"] = "pixelwarden(8)",
  ["audit-log.md"] = "pixelwarden(8)",
  ["config.md"] = "pixelwarden.yaml(5)",
  ["ruleset.md"] = "pixelwarden-rules(5)",
}

local this_page = nil  -- the man page being built, e.g. "pixelwarden(8)"

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

local function read_file(path)
  local f = assert(io.open(path, "r"), "include.lua: cannot read " .. path)
  local text = f:read("a")
  f:close()
  return text
end

local function upper_inlines(inlines)
  return pandoc.walk_inline(pandoc.Span(inlines), {
    Str = function(s) return pandoc.Str(s.text:upper()) end,
    Code = function(c) return pandoc.Str(c.text:upper()) end,
  }).content
end

local inline_fixes = {
  Code = function(c)
    c.text = c.text:gsub("\\|", "|")
    return c
  end,
  Link = function(l)
    local file = l.target:match("^([%w%-]+%.md)")
    local names_file = pandoc.utils.stringify(l.content):match("%.md$")
    if file and pages[file] == this_page and names_file then
      -- [cli.md](cli.md#the-verdict-json) inside pixelwarden(8): name the section.
      local anchor = l.target:match("#(.+)$")
      return pandoc.Str(anchor and anchor:gsub("%-", " "):upper() or "above")
    end
    if l.target:match("^#") or (file and pages[file] == this_page) then
      return l.content
    end
    if file and pages[file] then
      local ref = pandoc.Strong(pandoc.Str(pages[file]))
      -- [cli.md](cli.md) names only the file: the man page replaces it.
      if pandoc.utils.stringify(l.content):match("%.md$") then return ref end
      local out = pandoc.List(l.content)
      out:extend({ pandoc.Space(), pandoc.Str("("), ref, pandoc.Str(")") })
      return out
    end
    return nil  -- an outside URL stays a link
  end,
}

local function include(div)
  if not div.classes:includes("include") then return nil end
  local base = dirname(PANDOC_STATE.input_files[1])
  local doc = pandoc.read(read_file(base .. "/" .. div.attributes.file), "markdown")
  local title = div.attributes.title
  local blocks = pandoc.List()
  local dropped_title = false
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 and not dropped_title then
      dropped_title = true
      if title then blocks:insert(pandoc.Header(1, pandoc.Str(title))) end
    else
      if b.t == "Header" and not title then b.level = math.max(1, b.level - 1) end
      blocks:insert(b)
    end
  end
  return pandoc.walk_block(pandoc.Div(blocks), inline_fixes).content
end

local function roff_line(line)
  line = line:gsub("%s+$", ""):gsub("\\", "\\e"):gsub("%-", "\\-")
  if line:match("^[.']") then line = "\\&" .. line end
  return line
end

local function table_to_list(t)
  local s = pandoc.utils.to_simple_table(t)
  local items = pandoc.List()
  for _, row in ipairs(s.rows) do
    local term = pandoc.utils.blocks_to_inlines(row[1])
    local defs = pandoc.List()
    if #row == 2 then
      defs:insert(pandoc.Plain(pandoc.utils.blocks_to_inlines(row[2])))
    else
      local lines = pandoc.List()
      for i = 2, #row do
        local cell = pandoc.utils.blocks_to_inlines(row[i])
        if #cell > 0 then
          if #lines > 0 then lines:insert(pandoc.RawInline("man", "\n.br\n")) end
          lines:extend({ pandoc.Emph(pandoc.utils.stringify(s.headers[i])), pandoc.Str(":"),
                         pandoc.Space() })
          lines:extend(cell)
        end
      end
      defs:insert(pandoc.Plain(lines))
    end
    items:insert({ term, { defs } })
  end
  return pandoc.DefinitionList(items)
end

-- pandoc 2.17 writes the second and later blocks of a definition at the outer margin
-- (a .PP ends the .TP); .RS/.RE keep them under their tag.
local function indent_definitions(list)
  for _, item in ipairs(list.content) do
    for d, blocks in ipairs(item[2]) do
      if #blocks > 1 then
        local out = pandoc.List({ blocks[1], pandoc.RawBlock("man", ".RS") })
        for i = 2, #blocks do
          local b = blocks[i]
          -- a paragraph right after .RS needs no .PP of its own (mandoc warns)
          if i == 2 and b.t == "Para" then b = pandoc.Plain(b.content) end
          out:insert(b)
        end
        out:insert(pandoc.RawBlock("man", ".RE"))
        item[2][d] = out
      end
    end
  end
  return list
end

local man_shape = {
  Table = table_to_list,
  DefinitionList = indent_definitions,
  Code = function(c) return pandoc.Strong(pandoc.Str(c.text)) end,
  CodeBlock = function(b)
    local lines = pandoc.List()
    for line in (b.text .. "\n"):gmatch("(.-)\n") do lines:insert(roff_line(line)) end
    return pandoc.RawBlock("man", ".IP\n.nf\n" .. table.concat(lines, "\n") .. "\n.fi")
  end,
}

local function no_pp_after_headings(blocks)
  for i = 2, #blocks do
    if blocks[i].t == "Para" and blocks[i - 1].t == "Header" then
      blocks[i] = pandoc.Plain(blocks[i].content)
    end
  end
  return blocks
end

function Pandoc(doc)
  local section = pandoc.utils.stringify(doc.meta.section or "")
  local name = pandoc.utils.stringify(doc.meta.title or ""):lower()
  this_page = name .. "(" .. section .. ")"
  doc.blocks = pandoc.walk_block(pandoc.Div(doc.blocks), { Div = include }).content
  doc.blocks = pandoc.walk_block(pandoc.Div(doc.blocks), {
    Header = function(h)
      if h.level == 1 then h.content = upper_inlines(h.content) end
      return h
    end,
  }).content
  doc.blocks = pandoc.walk_block(pandoc.Div(doc.blocks), man_shape).content
  doc.blocks = no_pp_after_headings(doc.blocks)
  return doc
end
