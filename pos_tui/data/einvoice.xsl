<?xml version="1.0" encoding="UTF-8"?>
<!--
  pos_tui: the HTML view of a UBL-TR 1.2.1 invoice (e-Fatura or e-Arşiv). Our own stylesheet
  (XSLT 1.0, run with lxml), not GİB's display XSLT. It reads only the XML, so any invoice
  renders, ours or one received. Figures are written the Turkish way (1.234,56) with the
  decimal-format "tr". The karekod is put into <div id="karekod"> by the Python caller
  (pos_tui.core.einvoice.render.html), which draws the QR symbol. docs/einvoice-render.md.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    exclude-result-prefixes="inv cac cbc">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:decimal-format name="tr" decimal-separator="," grouping-separator="." NaN="" minus-sign="-"/>

  <xsl:variable name="inv" select="/inv:Invoice"/>
  <xsl:variable name="money" select="$inv/cac:LegalMonetaryTotal"/>
  <xsl:variable name="cur">
    <xsl:choose>
      <xsl:when test="$inv/cbc:DocumentCurrencyCode = 'TRY' or not($inv/cbc:DocumentCurrencyCode)">TL</xsl:when>
      <xsl:otherwise><xsl:value-of select="$inv/cbc:DocumentCurrencyCode"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="line-allowances"
      select="sum($inv/cac:InvoiceLine/cac:AllowanceCharge[cbc:ChargeIndicator = 'false']/cbc:Amount)"/>
  <xsl:variable name="doc-allowances" select="sum($money/cbc:AllowanceTotalAmount)"/>

  <!-- 1234.5 → 1.234,50 -->
  <xsl:template name="money">
    <xsl:param name="value"/>
    <xsl:value-of select="format-number($value, '#.##0,00', 'tr')"/>
  </xsl:template>

  <xsl:template name="day">
    <xsl:param name="iso"/>
    <xsl:value-of select="concat(substring($iso, 9, 2), '.', substring($iso, 6, 2), '.', substring($iso, 1, 4))"/>
  </xsl:template>

  <xsl:template name="unit">
    <xsl:param name="code"/>
    <xsl:choose>
      <xsl:when test="$code = 'C62' or $code = 'NIU'">adet</xsl:when>
      <xsl:when test="$code = 'KGM'">kg</xsl:when>
      <xsl:when test="$code = 'GRM'">g</xsl:when>
      <xsl:when test="$code = 'LTR'">lt</xsl:when>
      <xsl:when test="$code = 'MTR'">m</xsl:when>
      <xsl:when test="$code = 'MTK'">m²</xsl:when>
      <xsl:otherwise><xsl:value-of select="$code"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="party-name">
    <xsl:param name="party"/>
    <xsl:choose>
      <xsl:when test="$party/cac:PartyName/cbc:Name">
        <xsl:value-of select="$party/cac:PartyName/cbc:Name"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space(concat($party/cac:Person/cbc:FirstName, ' ', $party/cac:Person/cbc:FamilyName))"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="address">
    <xsl:param name="a"/>
    <xsl:value-of select="normalize-space(concat($a/cbc:StreetName, ' ', $a/cbc:BuildingName, ' ', $a/cbc:BuildingNumber))"/>
    <br/>
    <xsl:value-of select="normalize-space(concat($a/cbc:PostalZone, ' ', $a/cbc:CitySubdivisionName[. != '-'], ' / ', $a/cbc:CityName[. != '-']))"/>
    <xsl:if test="$a/cac:Country/cbc:Name and $a/cac:Country/cbc:Name != 'Türkiye'">
      <xsl:value-of select="concat(' ', $a/cac:Country/cbc:Name)"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="/">
    <html lang="tr">
      <head>
        <title>
          <xsl:value-of select="concat($inv/cbc:ID, ' ')"/>
          <xsl:call-template name="title"/>
        </title>
        <style>
          body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 12px; margin: 2em; color: #000; }
          h1 { font-size: 20px; margin: 0; }
          table { border-collapse: collapse; }
          .top { display: flex; justify-content: space-between; gap: 2em; }
          .party { border: 1px solid #000; padding: 0.5em; min-width: 40%; margin-bottom: 1em; }
          .party h2 { font-size: 13px; margin: 0 0 0.3em 0; }
          .head td { padding: 2px 6px; border: 1px solid #000; }
          .head th { padding: 2px 6px; border: 1px solid #000; text-align: left; }
          table.lines { width: 100%; margin-top: 1em; }
          table.lines th, table.lines td { border: 1px solid #000; padding: 3px 5px; }
          table.lines th { background: #eee; }
          td.num { text-align: right; white-space: nowrap; }
          table.totals { margin-left: auto; margin-top: 1em; }
          table.totals th { text-align: left; border: 1px solid #000; padding: 3px 6px; }
          table.totals td { border: 1px solid #000; padding: 3px 6px; text-align: right; }
          table.totals td.text { text-align: left; }
          .notes { margin-top: 1em; border: 1px solid #000; padding: 0.5em; }
          .ettn { font-family: monospace; }
        </style>
      </head>
      <body>
        <div class="top">
          <div>
            <div class="party supplier" id="supplier">
              <xsl:apply-templates select="$inv/cac:AccountingSupplierParty/cac:Party" mode="party"/>
            </div>
            <div class="party customer" id="customer">
              <h2>SAYIN</h2>
              <xsl:apply-templates select="$inv/cac:AccountingCustomerParty/cac:Party" mode="party"/>
            </div>
          </div>
          <div>
            <div id="karekod"/>
            <h1 id="title"><xsl:call-template name="title"/></h1>
            <table class="head" id="head">
              <tr><th>Özelleştirme No</th><td><xsl:value-of select="$inv/cbc:CustomizationID"/></td></tr>
              <tr><th>Senaryo</th><td id="profile"><xsl:value-of select="$inv/cbc:ProfileID"/></td></tr>
              <tr><th>Fatura Tipi</th><td id="type"><xsl:value-of select="$inv/cbc:InvoiceTypeCode"/></td></tr>
              <tr><th>Fatura No</th><td id="number"><xsl:value-of select="$inv/cbc:ID"/></td></tr>
              <tr>
                <th>Fatura Tarihi</th>
                <td id="date">
                  <xsl:call-template name="day"><xsl:with-param name="iso" select="$inv/cbc:IssueDate"/></xsl:call-template>
                  <xsl:if test="$inv/cbc:IssueTime">
                    <xsl:value-of select="concat(' ', substring($inv/cbc:IssueTime, 1, 5))"/>
                  </xsl:if>
                </td>
              </tr>
              <!-- inside cac:BillingReference (GİB's rules, our builder) or directly under the invoice -->
              <xsl:for-each select="$inv/cac:BillingReference/cac:AdditionalDocumentReference[cbc:DocumentTypeCode = 'OKCBF']
                  | $inv/cac:AdditionalDocumentReference[cbc:DocumentTypeCode = 'OKCBF']">
                <tr class="okcbf">
                  <th>ÖKC Fiş</th>
                  <td>
                    <xsl:value-of select="concat('Fiş No: ', cbc:ID, ' · ')"/>
                    <xsl:call-template name="day"><xsl:with-param name="iso" select="cbc:IssueDate"/></xsl:call-template>
                    <xsl:choose>
                      <xsl:when test="cac:Attachment/cac:ExternalReference/cbc:URI and cac:IssuerParty/cbc:EndpointID">
                        <xsl:value-of select="concat(' · Z No: ', cac:Attachment/cac:ExternalReference/cbc:URI,
                            '; ÖKC: ', cac:IssuerParty/cbc:EndpointID)"/>
                      </xsl:when>
                      <xsl:when test="cbc:DocumentDescription">
                        <xsl:value-of select="concat(' · ', cbc:DocumentDescription)"/>
                      </xsl:when>
                    </xsl:choose>
                  </td>
                </tr>
              </xsl:for-each>
              <xsl:for-each select="$inv/cac:BillingReference/cac:InvoiceDocumentReference">
                <tr class="billing">
                  <th>İade Edilen Fatura</th>
                  <td>
                    <xsl:value-of select="concat(cbc:ID, ' · ')"/>
                    <xsl:call-template name="day"><xsl:with-param name="iso" select="cbc:IssueDate"/></xsl:call-template>
                  </td>
                </tr>
              </xsl:for-each>
            </table>
          </div>
        </div>
        <p>ETTN: <span class="ettn" id="ettn"><xsl:value-of select="$inv/cbc:UUID"/></span></p>

        <table class="lines" id="lines">
          <thead>
            <tr>
              <th>Sıra No</th><th>Mal Hizmet Kodu</th><th>Mal Hizmet</th><th>Miktar</th><th>Birim Fiyat</th>
              <th>İskonto</th><th>KDV Oranı</th><th>KDV Tutarı</th><th>Mal Hizmet Tutarı</th>
            </tr>
          </thead>
          <tbody>
            <xsl:for-each select="$inv/cac:InvoiceLine">
              <xsl:variable name="kdv"
                  select="cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode = '0015']"/>
              <tr>
                <td class="num"><xsl:value-of select="cbc:ID"/></td>
                <td><xsl:value-of select="cac:Item/cac:SellersItemIdentification/cbc:ID"/></td>
                <td>
                  <xsl:value-of select="cac:Item/cbc:Name"/>
                  <xsl:for-each select="$kdv/cac:TaxCategory[cbc:TaxExemptionReasonCode]">
                    <br/><small class="exemption">İstisna: <xsl:call-template name="exemption"/></small>
                  </xsl:for-each>
                  <xsl:for-each select="cac:WithholdingTaxTotal/cac:TaxSubtotal">
                    <br/><small class="withholding">Tevkifat: <xsl:call-template name="withholding"/></small>
                  </xsl:for-each>
                </td>
                <td class="num">
                  <xsl:value-of select="format-number(cbc:InvoicedQuantity, '#.##0,###', 'tr')"/>
                  <xsl:text> </xsl:text>
                  <xsl:call-template name="unit"><xsl:with-param name="code" select="cbc:InvoicedQuantity/@unitCode"/></xsl:call-template>
                </td>
                <td class="num">
                  <!-- rounded (half up) to 4 decimals at most, 2 at least; the XML keeps them all. XSLT 1.0
                       has doubles only: × 10000 lands an exact half (…,73075) just below it, the 0.00005
                       lifts it back (far less than the 0.0001 step between true values below a half) -->
                  <xsl:value-of
                      select="concat(format-number(round(cac:Price/cbc:PriceAmount * 10000 + 0.00005) div 10000, '#.##0,00##', 'tr'), ' ', $cur)"/>
                </td>
                <td class="num">
                  <xsl:call-template name="money">
                    <xsl:with-param name="value" select="sum(cac:AllowanceCharge[cbc:ChargeIndicator = 'false']/cbc:Amount)"/>
                  </xsl:call-template>
                  <xsl:value-of select="concat(' ', $cur)"/>
                </td>
                <td class="num"><xsl:value-of select="concat('%', $kdv[1]/cbc:Percent)"/></td>
                <td class="num">
                  <xsl:call-template name="money"><xsl:with-param name="value" select="sum($kdv/cbc:TaxAmount)"/></xsl:call-template>
                  <xsl:value-of select="concat(' ', $cur)"/>
                </td>
                <td class="num">
                  <xsl:call-template name="money"><xsl:with-param name="value" select="cbc:LineExtensionAmount"/></xsl:call-template>
                  <xsl:value-of select="concat(' ', $cur)"/>
                </td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>

        <table class="totals" id="totals">
          <xsl:call-template name="total-row">
            <xsl:with-param name="id">goods</xsl:with-param>
            <xsl:with-param name="label">Mal Hizmet Toplam Tutarı</xsl:with-param>
            <xsl:with-param name="value" select="sum($money/cbc:LineExtensionAmount) + $line-allowances"/>
          </xsl:call-template>
          <xsl:call-template name="total-row">
            <xsl:with-param name="id">discount</xsl:with-param>
            <xsl:with-param name="label">Toplam İskonto</xsl:with-param>
            <xsl:with-param name="value" select="$line-allowances + $doc-allowances"/>
          </xsl:call-template>
          <xsl:call-template name="total-row">
            <xsl:with-param name="id">tax-exclusive</xsl:with-param>
            <xsl:with-param name="label">Vergi Hariç Tutar</xsl:with-param>
            <xsl:with-param name="value" select="$money/cbc:TaxExclusiveAmount"/>
          </xsl:call-template>
          <xsl:for-each select="$inv/cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode = '0015']">
            <xsl:call-template name="total-row">
              <xsl:with-param name="id" select="concat('kdv-', cbc:Percent)"/>
              <xsl:with-param name="label" select="concat('Hesaplanan KDV (%', cbc:Percent, ')')"/>
              <xsl:with-param name="value" select="cbc:TaxAmount"/>
            </xsl:call-template>
          </xsl:for-each>
          <xsl:for-each select="$inv/cac:WithholdingTaxTotal/cac:TaxSubtotal">
            <xsl:call-template name="total-row">
              <xsl:with-param name="id" select="concat('tevkifat-', position())"/>
              <xsl:with-param name="label"
                  select="normalize-space(concat('KDV Tevkifatı (%', cbc:Percent, ') ', cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode))"/>
              <xsl:with-param name="value" select="cbc:TaxAmount"/>
            </xsl:call-template>
          </xsl:for-each>
          <xsl:call-template name="total-row">
            <xsl:with-param name="id">tax-inclusive</xsl:with-param>
            <xsl:with-param name="label">Vergiler Dahil Toplam Tutar</xsl:with-param>
            <xsl:with-param name="value" select="$money/cbc:TaxInclusiveAmount"/>
          </xsl:call-template>
          <xsl:call-template name="total-row">
            <xsl:with-param name="id">payable</xsl:with-param>
            <xsl:with-param name="label">Ödenecek Tutar</xsl:with-param>
            <xsl:with-param name="value" select="$money/cbc:PayableAmount"/>
          </xsl:call-template>
        </table>

        <xsl:variable name="exempt"
            select="$inv/cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode = '0015'][cac:TaxCategory/cbc:TaxExemptionReasonCode]"/>
        <xsl:if test="$exempt or $inv/cac:WithholdingTaxTotal/cac:TaxSubtotal">
          <table class="totals codes" id="tax-codes">
            <xsl:for-each select="$exempt">
              <tr id="{concat('exemption-', position())}">
                <th><xsl:value-of select="concat('KDV İstisna (%', cbc:Percent, ')')"/></th>
                <td class="text"><xsl:for-each select="cac:TaxCategory"><xsl:call-template name="exemption"/></xsl:for-each></td>
              </tr>
            </xsl:for-each>
            <xsl:for-each select="$inv/cac:WithholdingTaxTotal/cac:TaxSubtotal">
              <tr id="{concat('withholding-', position())}">
                <th><xsl:value-of select="concat('KDV Tevkifatı (%', cbc:Percent, ')')"/></th>
                <td class="text"><xsl:call-template name="withholding"/></td>
              </tr>
            </xsl:for-each>
          </table>
        </xsl:if>

        <xsl:if test="$inv/cbc:Note">
          <div class="notes" id="notes">
            <xsl:for-each select="$inv/cbc:Note">
              <p class="note"><xsl:value-of select="."/></p>
            </xsl:for-each>
          </div>
        </xsl:if>
      </body>
    </html>
  </xsl:template>

  <xsl:template name="title">
    <xsl:choose>
      <xsl:when test="$inv/cbc:ProfileID = 'EARSIVFATURA'">e-Arşiv Fatura</xsl:when>
      <xsl:otherwise>e-Fatura</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "301 - 11/1-a Mal ihracatı" from a cac:TaxCategory: the code once, even when the reason starts with it -->
  <xsl:template name="exemption">
    <xsl:call-template name="code-and-name">
      <xsl:with-param name="code" select="normalize-space(cbc:TaxExemptionReasonCode)"/>
      <xsl:with-param name="name" select="normalize-space(cbc:TaxExemptionReason)"/>
    </xsl:call-template>
  </xsl:template>

  <!-- "602 - Etüt, plan-proje… (9/10)" from a withholding cac:TaxSubtotal -->
  <xsl:template name="withholding">
    <xsl:call-template name="code-and-name">
      <xsl:with-param name="code" select="normalize-space(cac:TaxCategory/cac:TaxScheme/cbc:TaxTypeCode)"/>
      <xsl:with-param name="name" select="normalize-space(cac:TaxCategory/cac:TaxScheme/cbc:Name)"/>
    </xsl:call-template>
    <xsl:choose>
      <xsl:when test="cbc:Percent mod 10 = 0 and cbc:Percent &gt; 0 and cbc:Percent &lt;= 100">
        <xsl:value-of select="concat(' (', cbc:Percent div 10, '/10)')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat(' (%', cbc:Percent, ')')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="code-and-name">
    <xsl:param name="code"/>
    <xsl:param name="name"/>
    <xsl:choose>
      <xsl:when test="$name = '' or $name = $code"><xsl:value-of select="$code"/></xsl:when>
      <xsl:when test="$code = '' or starts-with($name, $code)"><xsl:value-of select="$name"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="concat($code, ' - ', $name)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="total-row">
    <xsl:param name="id"/>
    <xsl:param name="label"/>
    <xsl:param name="value"/>
    <tr id="{$id}">
      <th><xsl:value-of select="$label"/></th>
      <td>
        <xsl:call-template name="money"><xsl:with-param name="value" select="$value"/></xsl:call-template>
        <xsl:value-of select="concat(' ', $cur)"/>
      </td>
    </tr>
  </xsl:template>

  <xsl:template match="cac:Party" mode="party">
    <xsl:variable name="ids" select="cac:PartyIdentification/cbc:ID"/>
    <p class="name"><strong><xsl:call-template name="party-name"><xsl:with-param name="party" select="."/></xsl:call-template></strong></p>
    <p class="address"><xsl:call-template name="address"><xsl:with-param name="a" select="cac:PostalAddress"/></xsl:call-template></p>
    <xsl:if test="cac:Contact/cbc:Telephone"><p>Tel: <xsl:value-of select="cac:Contact/cbc:Telephone"/></p></xsl:if>
    <xsl:if test="cac:Contact/cbc:ElectronicMail"><p>E-Posta: <xsl:value-of select="cac:Contact/cbc:ElectronicMail"/></p></xsl:if>
    <p class="tax">
      <xsl:if test="cac:PartyTaxScheme/cac:TaxScheme/cbc:Name">
        <xsl:value-of select="concat('Vergi Dairesi: ', cac:PartyTaxScheme/cac:TaxScheme/cbc:Name)"/>
        <br/>
      </xsl:if>
      <xsl:for-each select="$ids[@schemeID = 'VKN' or @schemeID = 'TCKN']">
        <span class="identifier"><xsl:value-of select="concat(@schemeID, ': ', .)"/></span>
      </xsl:for-each>
    </p>
    <xsl:for-each select="$ids[@schemeID = 'MERSISNO']"><p class="mersis"><xsl:value-of select="concat('MERSİS No: ', .)"/></p></xsl:for-each>
    <xsl:for-each select="$ids[@schemeID = 'TICARETSICILNO']"><p class="registry"><xsl:value-of select="concat('Ticaret Sicil No: ', .)"/></p></xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
