<?xml version="1.0" encoding="UTF-8"?>
<!--
  Renders an Atom or RSS feed of this blog as a page when someone opens it in a browser:
  what a feed is, how to subscribe, and the recent posts. Feed readers never see this.
  The feeds plugin writes it into the output and replaces @SITEURL@ with the site's address.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="siteurl">@SITEURL@</xsl:variable>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <xsl:variable name="lang" select="atom:feed/@xml:lang | rss/channel/language"/>
    <xsl:variable name="self"
        select="(atom:feed/atom:link[@rel='self'] | rss/channel/atom:link[@rel='self'])/@href"/>
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <link rel="stylesheet" href="{$siteurl}/theme/css/site.css"/>
        <style>
          .feed-note { border-left: 0.25rem solid currentColor; padding: 0.5rem 1rem; margin: 1.5rem 0; }
          .feed-url { display: block; width: 100%; box-sizing: border-box; font: inherit;
                      font-family: ui-monospace, monospace; padding: 0.5rem; margin: 0.5rem 0; }
          .feed-posts { list-style: none; padding: 0; }
          .feed-posts li { margin: 0 0 1.25rem; }
          .feed-posts time { display: block; font-size: 0.9em; opacity: 0.8; }
        </style>
      </head>
      <body>
        <header class="site-header">
          <a class="site-name" href="{$siteurl}/"><xsl:value-of select="$title"/></a>
        </header>
        <main id="main">
          <h1>This is a web feed</h1>
          <div class="feed-note">
            <p>A feed lets a <strong>feed reader</strong> (an RSS reader) show you every new post
              of <xsl:value-of select="$title"/> as it appears, in order, with nothing chosen for
              you by an algorithm. Many readers are free: NetNewsWire, Feedly, Inoreader, Feedbin
              and Thunderbird are a few.</p>
            <p>To subscribe, copy this address into your reader:</p>
            <label for="feed-url">Feed address</label>
            <input id="feed-url" class="feed-url" type="text" readonly="readonly" value="{$self}"/>
            <p>Prefer email? See <a href="{$siteurl}/subscribe/">Subscribe</a>.</p>
          </div>
          <h2>Recent posts</h2>
          <ul class="feed-posts">
            <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
          </ul>
        </main>
        <footer class="site-footer">
          <p><a href="{$siteurl}/"><xsl:value-of select="$title"/></a></p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
      <time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
    </li>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <a href="{link}"><xsl:value-of select="title"/></a>
      <time><xsl:value-of select="substring(pubDate, 1, 16)"/></time>
    </li>
  </xsl:template>
</xsl:stylesheet>
